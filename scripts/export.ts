import { runEntry } from "./Entry.js"
import { main } from "./ExportCli.js"

// `npm run export`: the entry point. The command, its help page and its one-line failures are
// in ./ExportCli.ts (main), which tests also run in their own process. Here it runs under Node's
// runtime, which interrupts it on SIGINT or SIGTERM (exit 130); every other ending is the exit
// code main returns: 0 exported, 1 a database or folder that cannot be used, 2 bad input.
runEntry(main(process.argv))
