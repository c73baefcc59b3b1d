import { Schema } from "effect"
import { EmptyStringAsNull, optionalNull, TmdbId } from "../Sentinels.js"
import { fetchedSince, linkedKind, namedExportLine } from "./Linked.js"

/**
 * `/company/{id}` (https://developer.themoviedb.org/reference/company-details), decoded. TMDB says
 * "unknown" as `""` for the description, headquarters, homepage and country; those become null.
 */
export const CompanyFromWire = Schema.Struct({
  id: TmdbId,
  name: Schema.String,
  description: optionalNull(EmptyStringAsNull),
  headquarters: optionalNull(EmptyStringAsNull),
  homepage: optionalNull(EmptyStringAsNull),
  originCountry: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("origin_country")),
  logoPath: optionalNull(EmptyStringAsNull).pipe(Schema.fromKey("logo_path")),
  parentCompany: optionalNull(Schema.NullOr(Schema.Struct({ id: TmdbId, name: optionalNull(EmptyStringAsNull) }))).pipe(
    Schema.fromKey("parent_company")
  )
})

/** A company as stored, with the body TMDB sent. */
export interface CompanyRecord extends Schema.Schema.Type<typeof CompanyFromWire> {
  readonly body?: string | undefined
}

/**
 * Production companies, for every company a stored movie names. A parent is kept as
 * `parent_company_id` (and its name), and has a row of its own only when a stored movie names it. No changes
 * feed either (https://developer.themoviedb.org/docs/tracking-content-changes): read again when stale.
 */
export const companyKind = linkedKind({
  name: "company",
  records: "companies",
  key: "company_id",
  path: "/company",
  schema: CompanyFromWire,
  row: (c: CompanyRecord) => ({
    company_id: c.id,
    name: c.name,
    description: c.description,
    headquarters: c.headquarters,
    homepage: c.homepage,
    origin_country: c.originCountry,
    parent_company_id: c.parentCompany?.id ?? null,
    // The parent's own row exists only when a stored movie names it: its name is kept here too,
    // so revenue adds up by group whatever the parent's own row.
    parent_company_name: c.parentCompany?.name ?? null,
    logo_path: c.logoPath
  }),
  exports: {
    files: () => ["production_company_ids"],
    parse: namedExportLine,
    columns: (line) => ({ name: line.name })
  },
  linked: (sql, since) =>
    sql`INSERT INTO companies (company_id, name, origin_country)
      SELECT company_id, min(name), min(origin_country) FROM movie_companies
      WHERE company_id > 0${fetchedSince(sql, "tmdb_id", since)}
      GROUP BY company_id
      ON CONFLICT (company_id) DO NOTHING RETURNING company_id`
})

/** A company for a fake: the fields given, every other one unknown (no parent). Id 1, "Untitled Pictures". */
export const companyOf = (fields: Partial<CompanyRecord> = {}): CompanyRecord => ({
  id: 1,
  name: "Untitled Pictures",
  description: null,
  headquarters: null,
  homepage: null,
  originCountry: null,
  logoPath: null,
  parentCompany: null,
  ...fields
})
