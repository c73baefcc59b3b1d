import * as fs from "node:fs"
import * as os from "node:os"

// Who a process is and whether it still runs: what the SQLite lock (layers/Lock.ts) and
// collectors sharing a database (services/Coordination.ts) both ask of a pid.

/**
 * The kernel's boot and this process's pid namespace: a pid means the same process only where
 * both match (containers share a host name with their host, not its pids).
 */
const pidSpace = (() => {
  try {
    const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()
    const ns = fs.readlinkSync("/proc/self/ns/pid").replace(/\D/g, "")
    return `${boot}/${ns}`
  } catch {
    return "unknown"
  }
})()

/**
 * `host pid pid-space`: who a run is, so a collector in the same pid space can tell a dead one at
 * once; elsewhere only its heartbeat tells.
 */
export const collectorName = () => `${os.hostname()} ${process.pid} ${pidSpace}`

/** Whether `name` (a `collectorName`) ran in this pid space and its process is gone. */
export const deadHere = (name: string): boolean => {
  const [host, pid, space] = name.split(" ")
  const here = host === os.hostname() && space === pidSpace && space !== "unknown"
  return here && Number(pid) !== process.pid && !alive(Number(pid))
}

/** Whether a process of this pid namespace is alive (EPERM: alive, not ours to signal). */
export const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}
