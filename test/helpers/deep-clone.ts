/**
 * A deep copy of plain data, Maps and Sets; functions are kept by reference. For purity
 * checks: clone a value before a call and `t.strictSame` it afterwards.
 */
export const deepClone = <T>(value: T): T => {
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [deepClone(key), deepClone(item)])) as T
  if (value instanceof Set) return new Set([...value].map(deepClone)) as T
  if (Array.isArray(value)) return value.map(deepClone) as T
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepClone(item)])) as T
  }
  return value
}
