// Word pools for the generated catalogue. The hostile titles are here on purpose: a collector must
// store and return them unchanged (unicode, RTL, emoji, quotes, backslashes, SQL-looking text).

export const GENRES: ReadonlyArray<readonly [number, string]> = [
  [28, "Action"],
  [12, "Adventure"],
  [16, "Animation"],
  [35, "Comedy"],
  [80, "Crime"],
  [99, "Documentary"],
  [18, "Drama"],
  [10751, "Family"],
  [14, "Fantasy"],
  [36, "History"],
  [27, "Horror"],
  [10402, "Music"],
  [9648, "Mystery"],
  [10749, "Romance"],
  [878, "Science Fiction"],
  [10770, "TV Movie"],
  [53, "Thriller"],
  [10752, "War"],
  [37, "Western"]
]

export interface Company {
  readonly id: number
  readonly logo_path: string | null
  readonly name: string
  readonly origin_country: string
}

export const COMPANIES: ReadonlyArray<Company> = [
  { id: 25, logo_path: "/qZCc1lty5FzX30aOCVRBLzaVmcp.png", name: "20th Century Fox", origin_country: "US" },
  { id: 33, logo_path: "/8lvHyhjr8oUKOOy2dKXoALWKdp0.png", name: "Universal Pictures", origin_country: "US" },
  { id: 174, logo_path: "/IuAlhI9eVC9Z8UQWOIDdWRKSEJ.png", name: "Warner Bros. Pictures", origin_country: "US" },
  { id: 4, logo_path: "/gz66EfNoYPqHTYI4q9UEN4CbHRc.png", name: "Paramount", origin_country: "US" },
  { id: 2, logo_path: "/wdrCwmRnLFJhEoH8GSfymY85KHT.png", name: "Walt Disney Pictures", origin_country: "US" },
  { id: 41077, logo_path: "/1ZXsGaFPgrgS6ZZGS37AqD5uU12.png", name: "A24", origin_country: "US" },
  { id: 7505, logo_path: "/837VMM4wOkODc1idNxGT0KQJlej.png", name: "Marvel Entertainment", origin_country: "US" },
  { id: 10342, logo_path: "/eDWGeCCqCDbS7mRuyuQsuyA7V6z.png", name: "Studio Ghibli", origin_country: "JP" },
  { id: 104, logo_path: null, name: "Canal+", origin_country: "FR" },
  { id: 591, logo_path: "/q5I5RDwMEiqoNmfaJgd2LraEOJY.png", name: "France 2 Cinéma", origin_country: "FR" },
  { id: 7, logo_path: "/vru2SssLX3FPhnKZGtYw00pVIS9.png", name: "DreamWorks Pictures", origin_country: "US" },
  { id: 3172, logo_path: "/rqjoYKMGb7QeOtmGP3WU4IgSG0S.png", name: "Blumhouse Productions", origin_country: "US" },
  { id: 128064, logo_path: null, name: "Barunson E&A", origin_country: "KR" },
  { id: 5822, logo_path: null, name: "Shochiku", origin_country: "JP" },
  { id: 90733, logo_path: null, name: "Rotana Studios", origin_country: "SA" },
  { id: 11581, logo_path: null, name: "Zentropa Entertainments", origin_country: "DK" },
  { id: 20555, logo_path: "/hD8yEGUBlHOcfHYbujp71vD8gZp.png", name: "Taurus Film", origin_country: "DE" },
  { id: 66645, logo_path: null, name: "Ciné-@ \"Quote\" Films", origin_country: "" },
  { id: 88001, logo_path: null, name: "Back\\Slash Pictures", origin_country: "" },
  { id: 93002, logo_path: null, name: "Bollywood Dreams Pvt. Ltd.", origin_country: "IN" }
]

export const COUNTRIES: Readonly<Record<string, string>> = {
  US: "United States of America",
  FR: "France",
  JP: "Japan",
  KR: "South Korea",
  DE: "Germany",
  ES: "Spain",
  SA: "Saudi Arabia",
  IL: "Israel",
  IN: "India",
  CN: "China",
  RU: "Russia",
  GB: "United Kingdom"
}

export interface Language {
  readonly code: string
  readonly english: string
  readonly native: string
  readonly country: string
  readonly weight: number
}

export const LANGUAGES: ReadonlyArray<Language> = [
  { code: "en", english: "English", native: "English", country: "US", weight: 60 },
  { code: "fr", english: "French", native: "Français", country: "FR", weight: 6 },
  { code: "es", english: "Spanish", native: "Español", country: "ES", weight: 5 },
  { code: "ja", english: "Japanese", native: "日本語", country: "JP", weight: 5 },
  { code: "ko", english: "Korean", native: "한국어/조선말", country: "KR", weight: 4 },
  { code: "de", english: "German", native: "Deutsch", country: "DE", weight: 4 },
  { code: "ar", english: "Arabic", native: "العربية", country: "SA", weight: 3 },
  { code: "he", english: "Hebrew", native: "עִבְרִית", country: "IL", weight: 3 },
  { code: "hi", english: "Hindi", native: "हिन्दी", country: "IN", weight: 3 },
  { code: "zh", english: "Mandarin", native: "普通话", country: "CN", weight: 3 },
  { code: "ru", english: "Russian", native: "Pусский", country: "RU", weight: 4 }
]

/** Original titles in the original language's script, with the English title TMDB shows. */
export const FOREIGN_TITLES: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  fr: [["Le Fabuleux Destin d'Amélie Poulain", "Amélie"], ["Crème brûlée à l'œil", "Crème Brûlée"], ["Ça, c'est la vie", "That's Life"]],
  es: [["El laberinto del fauno", "Pan's Labyrinth"], ["¿Dónde está mi niño?", "Where Is My Boy?"], ["Año nuevo, vida nueva", "New Year, New Life"]],
  ja: [["千と千尋の神隠し", "Spirited Away"], ["君の名は。", "Your Name."], ["東京物語", "Tokyo Story"]],
  ko: [["기생충", "Parasite"], ["올드보이", "Oldboy"], ["부산행", "Train to Busan"]],
  de: [["Das Leben der Anderen", "The Lives of Others"], ["Straße der Sehnsucht", "Street of Longing"], ["Über Größe", "On Size"]],
  ar: [["الرسالة", "The Message"], ["وجدة", "Wadjda"], ["كفرناحوم", "Capernaum"]],
  he: [["ואלס עם באשיר", "Waltz with Bashir"], ["שלום עליכם", "Peace Be Upon You"], ["הערת שוליים", "Footnote"]],
  hi: [["अंधाधुन", "Andhadhun"], ["दंगल", "Dangal"], ["लगान", "Lagaan"]],
  zh: [["霸王别姬", "Farewell My Concubine"], ["卧虎藏龙", "Crouching Tiger, Hidden Dragon"], ["花样年华", "In the Mood for Love"]],
  ru: [["Брат", "Brother"], ["Сталкер", "Stalker"], ["Левиафан", "Leviathan"]]
}

export const HOSTILE_TITLES: ReadonlyArray<string> = [
  "Robert'); DROP TABLE movies;--",
  "1' OR '1'='1",
  "\"Quoted\" Title",
  "It's a Wonderful Life, Isn't It?",
  "The “Smart” Quotes",
  "Back\\slash",
  "C:\\Movies\\Final\\cut",
  "50% Off: 100% _Sure_",
  "<script>alert('x')</script>",
  "NULL",
  "null",
  "Ame\u0301lie (decomposed)",
  "Łódź Nocą",
  "Ærø, Østersø & Åland",
  "İstanbul Hatırası",
  "Καλημέρα Κόσμε",
  "Mixed עברית and English",
  "مرحبا 2 World",
  "🎬 Lights, Camera, Action 🍿",
  "Love ❤️ Actually",
  "👨‍👩‍👧‍👦 Family Reunion",
  "🏳️‍🌈 Pride Parade",
  "Z̷̢a̴l̶g̵o̸ Returns",
  "𝔐𝔞𝔱𝔥 𝟙𝟚𝟛",
  "Ünïcödé Ⅱ: ｆｕｌｌｗｉｄｔｈ",
  "${title} {{template}} %s"
]

export const ADJECTIVES: ReadonlyArray<string> = [
  "Last",
  "Silent",
  "Broken",
  "Golden",
  "Midnight",
  "Hidden",
  "Endless",
  "Crimson",
  "Lonely",
  "Frozen",
  "Electric",
  "Wild",
  "Forgotten",
  "Secret",
  "Burning",
  "Distant",
  "Hollow",
  "Savage",
  "Gentle",
  "Restless"
]

export const NOUNS: ReadonlyArray<string> = [
  "Harbor",
  "Orbit",
  "Winter",
  "Kingdom",
  "Witness",
  "River",
  "Signal",
  "Garden",
  "Horizon",
  "Machine",
  "Summer",
  "Verdict",
  "Empire",
  "Shadow",
  "Frontier",
  "Echo",
  "Highway",
  "Island",
  "Promise",
  "Storm"
]

export const SEQUELS: ReadonlyArray<string> = [" 2", " II", ": Part Three", ": Reloaded", " Returns", " (Director's Cut)"]

export const PEOPLE: ReadonlyArray<string> = [
  "Ana de Armas",
  "Song Kang-ho",
  "Zoë Kravitz",
  "Mads Mikkelsen",
  "Penélope Cruz",
  "Ryūnosuke Kamiki",
  "Nadine Labaki",
  "Gal Gadot",
  "Shah Rukh Khan",
  "Zhang Ziyi",
  "Chiwetel Ejiofor",
  "Björk Guðmundsdóttir",
  "Saoirse Ronan",
  "Mahershala Ali",
  "Tilda Swinton",
  "Sam O'Neill",
  "Nuno Lopes",
  "Kim Min-hee"
]

export const KEYWORDS: ReadonlyArray<readonly [number, string]> = [
  [818, "based on novel or book"],
  [9672, "based on true story"],
  [4565, "dystopia"],
  [9715, "superhero"],
  [10183, "independent film"],
  [179431, "duringcreditsstinger"],
  [6054, "friendship"],
  [1701, "hero"],
  [10714, "serial killer"],
  [14819, "violence"],
  [3616, "race against time"],
  [10084, "rescue"]
]
