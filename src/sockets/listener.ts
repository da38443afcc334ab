/** One listening TCP socket as a platform's socket table reports it. */
export interface Listener {
  /** Local address as the OS prints it, normalised: `0.0.0.0`, `::`, `127.0.0.1`, `::1`, `192.168.1.5`. */
  address: string;
  port: number;
  family: 4 | 6;
  /**
   * True when an IPv6 wildcard also accepts IPv4 (Linux `*:P` in ss, macOS `tcp46`).
   * Null when the table does not say (netstat `:::`, Windows `[::]`).
   */
  dualStack: boolean | null;
  /** Null when the table hides the owner (another user's socket, no privileges). */
  pid: number | null;
  /** Owner's name when the table carries one (ss, lsof, netstat -p); may be truncated by the tool. */
  processName: string | null;
  /** Socket owner's uid when the table carries one (/proc/net/tcp, lsof USER as number). */
  uid: number | null;
  /** Socket inode (Linux) used to find the owning PID. */
  inode: number | null;
}

/** The listeners found on one port, or why they could not be read. */
export type ListenerTable =
  | { readable: true; source: string; listeners: Listener[]; warnings: string[] }
  | {
      readable: false;
      source: string;
      reason: string;
      warnings: string[];
      /** Set when the table could not be read because the tool for it is not installed. */
      missingTool?: string;
    };

export function makeListener(
  fields: Partial<Listener> & Pick<Listener, 'address' | 'port' | 'family'>,
): Listener {
  return { dualStack: null, pid: null, processName: null, uid: null, inode: null, ...fields };
}
