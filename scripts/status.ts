import { runEntry } from "./Entry.js"
import { main } from "./StatusCli.js"

// `npm run status`: the entry point. The command, its help page and its one-line failures are in
// ./StatusCli.ts (main): 0 the status, 1 a database that cannot be read, 2 no such database or
// bad input.
runEntry(main(process.argv))
