/** One row of `/proc/net/netlink` that matters for knowing when a monitor is subscribed. */
export interface NetlinkSocket {
  protocol: number
  portId: number
  /** The first 32 multicast groups as a bit mask; non-zero once subscribed. */
  groups: number
  drops: number
}

const NETLINK_ROUTE = 0

/** Parses `/proc/net/netlink`; rows it cannot read are skipped. */
export const parseNetlinkTable = (text: string): NetlinkSocket[] =>
  text
    .split('\n')
    .slice(1)
    .map((row) => row.trim().split(/\s+/))
    .filter((columns) => columns.length >= 9)
    .map(([, protocol, portId, groups, , , , , drops]) => ({
      protocol: Number(protocol),
      portId: Number(portId),
      groups: Number.parseInt(String(groups), 16),
      drops: Number(drops),
    }))
    .filter((socket) => Number.isFinite(socket.portId) && Number.isFinite(socket.groups))

/** True once the process `pid` holds an rtnetlink socket subscribed to some group. */
export const isSubscribed = (table: readonly NetlinkSocket[], pid: number): boolean =>
  table.some((socket) => socket.protocol === NETLINK_ROUTE && socket.portId === pid && socket.groups !== 0)
