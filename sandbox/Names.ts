import { firstOf, weightedAt } from "./Random.js"

// Word pools for the generated catalogue. The hostile titles are here on purpose: a collector must
// store and return them unchanged (unicode, RTL, emoji, quotes, backslashes, SQL-looking text).

// TMDB's movie genres (/genre/movie/list), each with its weight: how many movies carry it, in
// hundreds, among the 45,000 of Kaggle's "The Movies Dataset" (read from TMDB's API in 2017):
// Drama on about one movie in two, Comedy one in three, then Thriller, Romance and Action;
// Western and "TV Movie" rare.
export const GENRES: ReadonlyArray<readonly [number, string, number]> = [
  [18, "Drama", 203],
  [35, "Comedy", 132],
  [53, "Thriller", 76],
  [10749, "Romance", 67],
  [28, "Action", 66],
  [27, "Horror", 47],
  [80, "Crime", 43],
  [99, "Documentary", 39],
  [12, "Adventure", 35],
  [878, "Science Fiction", 30],
  [10751, "Family", 28],
  [9648, "Mystery", 25],
  [14, "Fantasy", 23],
  [16, "Animation", 19],
  [10402, "Music", 16],
  [36, "History", 14],
  [10752, "War", 13],
  [37, "Western", 10],
  [10770, "TV Movie", 8]
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

const LANGUAGE_WEIGHTS = LANGUAGES.map((l) => l.weight)

/** The index in LANGUAGES of a generated movie's language: the first draw of its seed's stream. */
export const languageIndexOf = (seed: number): number => weightedAt(firstOf(seed), LANGUAGE_WEIGHTS)

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
