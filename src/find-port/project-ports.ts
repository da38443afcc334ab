/**
 * Ports the dashboard's own project uses beside it (7778: its USB camera server): a suggested or
 * searched port must not collide with them unless the user says otherwise.
 */
export const projectPorts: readonly number[] = [7778];
