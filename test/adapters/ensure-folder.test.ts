import { mkdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ensureFolder } from '../../src/adapters/ensure-folder.js'
import { tempDir } from '../helpers/temp-dir.js'

t.test('makes every missing level, and leaves an existing folder as it is', async (t) => {
  const dir = tempDir(t, 'folder')
  const deep = join(dir, 'a', 'b', 'c')
  ensureFolder(deep)
  t.ok(statSync(deep).isDirectory())
  mkdirSync(join(deep, 'kept'))
  ensureFolder(deep)
  t.ok(statSync(join(deep, 'kept')).isDirectory(), 'an existing folder is not recreated')
})

t.test('a file where a folder should be is ENOTDIR, at the end of the path or on the way', async (t) => {
  const file = join(tempDir(t, 'folder'), 'file')
  writeFileSync(file, '')
  t.throws(() => ensureFolder(file), { code: 'ENOTDIR', message: `${file} exists and is not a folder` })
  t.throws(() => ensureFolder(join(file, 'sub')), { code: 'ENOTDIR', syscall: 'stat' }, "the stat's own error")
})

t.test('a folder that cannot be made under /proc fails at once (recursive mkdir spins there)', async (t) => {
  t.throws(() => ensureFolder('/proc/netmon-test/sub'), { code: 'ENOENT', syscall: 'mkdir' })
})
