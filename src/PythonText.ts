// TMDB 5000 was written by pandas and Python's json module: the analyst's dataset writes its
// numbers and JSON cells the same way, so a diff against the Kaggle files shows data, not format.

export type Json = string | number | null | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * Python's `repr(float)`, which pandas wrote into TMDB 5000: `7.0`, `150.437577`, `1e-05`. Same
 * shortest digits as JavaScript; only the exponent thresholds (1e-4, 1e16) and its form differ.
 */
export const pythonFloat = (n: number): string => {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "nan" : n > 0 ? "inf" : "-inf"
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0"
  const abs = Math.abs(n)
  if (abs < 1e-4 || abs >= 1e16) {
    const [mantissa, exponent = "+0"] = n.toExponential().split("e")
    const sign = exponent.startsWith("-") ? "-" : "+"
    return `${mantissa}e${sign}${exponent.replace(/^[+-]/, "").padStart(2, "0")}`
  }
  return Number.isInteger(n) ? `${n}.0` : String(n)
}

/**
 * Python's `json.dumps` with its defaults, as TMDB 5000's cells were written: `", "` and `": "`
 * separators, and every character outside printable ASCII as `\uXXXX` (ensure_ascii), so
 * `Español` is `Espa\u00f1ol`.
 */
export const pythonJson = (value: Json): string => {
  if (value === null) return "null"
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value)
  if (typeof value === "string") {
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`
  return `{${Object.entries(value).map(([key, item]) => `${pythonJson(key)}: ${pythonJson(item as Json)}`).join(", ")}}`
}
