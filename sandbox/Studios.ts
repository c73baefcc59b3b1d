import { weighted } from "./Random.js"
import type { Rng } from "./Random.js"

// Production companies. The ids below 200,000 are TMDB's own for those companies (the recorded
// fixtures carry 3, 25, 508, 711, 7505 and 20555 with these names), so a company id is one name
// across fixtures and generated movies. The rest are made up, with ids TMDB's real companies in
// the fixtures do not use. A few majors make many movies, most companies few: `weight`.

export interface Company {
  readonly id: number
  readonly logo_path: string | null
  readonly name: string
  readonly origin_country: string
}

interface Studio extends Company {
  readonly weight: number
}

const studio = (id: number, name: string, origin_country: string, weight: number, logo_path: string | null = null): Studio => ({
  id,
  logo_path,
  name,
  origin_country,
  weight
})

const STUDIOS: ReadonlyArray<Studio> = [
  studio(33, "Universal Pictures", "US", 14, "/8lvHyhjr8oUKOOy2dKXoALWKdp0.png"),
  studio(174, "Warner Bros. Pictures", "US", 14, "/IuAlhI9eVC9Z8UQWOIDdWRKSEJ.png"),
  studio(25, "20th Century Fox", "US", 10, "/qZCc1lty5FzX30aOCVRBLzaVmcp.png"),
  studio(4, "Paramount", "US", 10, "/gz66EfNoYPqHTYI4q9UEN4CbHRc.png"),
  studio(2, "Walt Disney Pictures", "US", 7, "/wdrCwmRnLFJhEoH8GSfymY85KHT.png"),
  studio(3, "Pixar", "US", 2, "/1TjvGVDMYsj6JBxOAkUHpPEwLf7.png"),
  studio(7, "DreamWorks Pictures", "US", 4, "/vru2SssLX3FPhnKZGtYw00pVIS9.png"),
  studio(3172, "Blumhouse Productions", "US", 5, "/rqjoYKMGb7QeOtmGP3WU4IgSG0S.png"),
  studio(41077, "A24", "US", 5, "/1ZXsGaFPgrgS6ZZGS37AqD5uU12.png"),
  studio(7505, "Marvel Entertainment", "US", 2, "/837VMM4wOkODc1idNxGT0KQJlej.png"),
  studio(711, "Fox 2000 Pictures", "US", 2, "/tEiIH5QesdheJmDAqQwvtN60727.png"),
  studio(508, "Regency Enterprises", "US", 3, "/7cxRWzi4LsVm4Utfpr1hfARNurT.png"),
  studio(910001, "Harbor Light Pictures", "US", 4),
  studio(910002, "Northgate Films", "US", 3),
  studio(910003, "Silver Arrow Entertainment", "US", 3),
  studio(910004, "Redwood Hill Productions", "US", 2),
  studio(910005, "Blue Meridian Studios", "US", 2),
  studio(910006, "Ironbridge Films", "GB", 3),
  studio(910007, "Kestrel & Finch", "GB", 2),
  studio(104, "Canal+", "FR", 4),
  studio(591, "France 2 Cinéma", "FR", 3, "/q5I5RDwMEiqoNmfaJgd2LraEOJY.png"),
  studio(910008, "Les Films de l'Estuaire", "FR", 2),
  studio(910009, "Estudios Solana", "ES", 2),
  studio(910017, "Producciones Candela", "ES", 1),
  studio(10342, "Studio Ghibli", "JP", 1, "/eDWGeCCqCDbS7mRuyuQsuyA7V6z.png"),
  studio(5822, "Shochiku", "JP", 2),
  studio(910010, "Sakura Eiga", "JP", 2),
  studio(128064, "Barunson E&A", "KR", 2),
  studio(910011, "Hanul Pictures", "KR", 2),
  studio(20555, "Taurus Film", "DE", 1, "/hD8yEGUBlHOcfHYbujp71vD8gZp.png"),
  studio(910012, "Sternfeld Filmproduktion", "DE", 2),
  studio(11581, "Zentropa Entertainments", "DK", 2),
  studio(90733, "Rotana Studios", "SA", 2),
  studio(910013, "Jaffa Road Films", "IL", 1),
  studio(910014, "Mumbai Talkies Pvt. Ltd.", "IN", 2),
  studio(910015, "Golden Lotus Pictures", "CN", 2),
  // Russian company names carry their quotes on TMDB too; this one also has no origin country,
  // as many small companies there have none ("" is stored as NULL).
  studio(910016, "Kinostudiya \"Sever\"", "", 1)
]

const weightsOf = (studios: ReadonlyArray<Studio>) => studios.map((s) => s.weight)
const BY_COUNTRY = new Map<string, ReadonlyArray<Studio>>()
for (const s of STUDIOS) BY_COUNTRY.set(s.origin_country || "RU", [...(BY_COUNTRY.get(s.origin_country || "RU") ?? []), s])
const WEIGHTS = new Map([...BY_COUNTRY].map(([country, studios]) => [country, weightsOf(studios)]))
const ALL_WEIGHTS = weightsOf(STUDIOS)

/**
 * One production company for a movie made in `country`: often a studio of that country (when
 * there is one), else any; the majors most often either way.
 */
export const companyFor = (r: Rng, country: string): Company => {
  const local = BY_COUNTRY.get(country)
  const s = local !== undefined && r() < 0.45
    ? local[weighted(r, WEIGHTS.get(country) as ReadonlyArray<number>)] as Studio
    : STUDIOS[weighted(r, ALL_WEIGHTS)] as Studio
  return { id: s.id, logo_path: s.logo_path, name: s.name, origin_country: s.origin_country }
}

/** Every studio a generated movie can name, as `production_companies` lists it. */
export const studioCompanies = (): ReadonlyArray<Company> => STUDIOS.map(({ id, logo_path, name, origin_country }) => ({ id, logo_path, name, origin_country }))
