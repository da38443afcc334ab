/** What identifies a process across PID reuse: its start time (and, for interpreters, what they run). */
export interface ProcessIdentity {
  startTime: string | null;
  /** For parents named `node` or `python`: what they run (nodemon, pm2, ...). */
  commandLine?: string | null;
}
