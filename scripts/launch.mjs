// dist/collect.js: starts the bundled CLI (dist/cli.cjs) through V8's code cache. Compiling the
// 1.5 MB bundle is most of a cold start, and Node 20 has no compile cache of its own
// (module.enableCompileCache came in Node 22.1), so the compiled code is kept beside the bundle
// in dist/cli.<hash of the bundle>.v8cache. V8 checks a cache against the source's length, its
// own version and flags, not the source itself: the hash in the name keeps a cache made for one
// bundle from ever running with another of the same length. A rejected cache is compiled over
// and written anew at exit, where dist/ is writable.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import Module, { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

const dir = path.dirname(fileURLToPath(import.meta.url))
const bundle = path.join(dir, "cli.cjs")
const source = fs.readFileSync(bundle, "utf8")
const cacheFile = path.join(dir, `cli.${createHash("sha1").update(source).digest("hex").slice(0, 16)}.v8cache`)
let cachedData
try {
  cachedData = fs.readFileSync(cacheFile)
} catch {
  // No cache yet: compile from source.
}
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData })
if (cachedData === undefined || script.cachedDataRejected === true) {
  // At exit the cache also holds the functions this run compiled lazily.
  process.once("exit", () => {
    // Written aside and renamed, so a CLI starting meanwhile reads the old cache or the new one.
    const partial = `${cacheFile}.${process.pid}`
    try {
      fs.writeFileSync(partial, script.createCachedData())
      fs.renameSync(partial, cacheFile)
    } catch {
      // A read-only install: run without a cache.
      try {
        fs.rmSync(partial, { force: true })
      } catch {
        // Nothing was written.
      }
    }
  })
}
const module = { exports: {} }
script.runInThisContext().call(module.exports, module.exports, createRequire(bundle), module, bundle, dir)
