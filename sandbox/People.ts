import { hash32, mulberry32 } from "./Random.js"

// The people of the generated catalogue. A person is a key (kind, region, number); everything
// about them (TMDB id, name, gender, popularity, profile) derives from the key alone, so one id
// is one name wherever the person is credited. Careers (sandbox/Careers.ts) decide who recurs.

/** Directors (one per career), their regular actors and crew, and people credited once. */
export type Kind = "director" | "actor" | "crew" | "oneOff"
const KINDS: ReadonlyArray<Kind> = ["director", "actor", "crew", "oneOff"]

interface Region {
  readonly female: ReadonlyArray<string>
  readonly male: ReadonlyArray<string>
  readonly last: ReadonlyArray<string>
  /** Korean and Chinese names as TMDB writes them: family name first. */
  readonly familyFirst?: boolean
  /** Russian family names take a feminine form: Ivanov, Ivanova. */
  readonly feminine?: (last: string) => string
  /** Middle initials are not a thing in Japanese, Korean and Chinese names. */
  readonly noInitials?: boolean
}

const list = (s: string): ReadonlyArray<string> => s.split(",").map((x) => x.trim())

// Regions follow LANGUAGES (sandbox/Names.ts): a movie's people come from its original language's.
const REGIONS: Readonly<Record<string, Region>> = {
  en: {
    female: list(
      "Olivia, Emma, Ava, Sophia, Grace, Chloe, Hannah, Lily, Ruth, Claire, Megan, Rachel, Laura, Diane, Naomi, Tessa, Joan, Margot, Abigail, Vivian, Hazel, Nora, Judith, Kate, Sadie, Frances, Lena, Paula, Irene, Zoë"
    ),
    male: list(
      "James, Michael, David, Daniel, Thomas, Samuel, Henry, Jack, Owen, Lucas, Ethan, Noah, Caleb, Marcus, Peter, Adrian, Ray, Walter, Dennis, Frank, Gregory, Harold, Isaac, Julian, Keith, Leon, Miles, Oscar, Simon, Vincent"
    ),
    last: list(
      "Anderson, Baker, Bennett, Brooks, Carter, Coleman, Collins, Cooper, Crawford, Dawson, Ellis, Fletcher, Foster, Gallagher, Gray, Hale, Harper, Hayes, Holloway, Hughes, Jennings, Keller, Kennedy, Lawson, Lowe, Marsh, McAllister, Mercer, Mitchell, Morgan, Nash, O'Brien, O'Connor, Palmer, Pearce, Prescott, Quinn, Reeves, Ross, Russell, Sawyer, Shaw, Sinclair, Sloane, Spencer, Sutton, Thornton, Turner, Vaughn, Walsh, Ward, Webb, Whitaker, Wolfe, Wright, Young, Donnelly, Fairbanks, Hargrove, Underwood"
    )
  },
  fr: {
    female: list("Camille, Léa, Manon, Chloé, Juliette, Élise, Margaux, Clémence, Inès, Aurélie, Sophie, Mathilde, Noémie, Hélène, Céline"),
    male: list("Julien, Mathieu, Antoine, Olivier, Nicolas, Étienne, Benoît, François, Laurent, Thibault, Rémi, Hugo, Louis, Gaspard, Raphaël"),
    last: list(
      "Martin, Bernard, Dubois, Lefèvre, Moreau, Girard, Rousseau, Fontaine, Chevalier, Lambert, Mercier, Garnier, Faure, Blanchard, Gauthier, Perrin, Marchand, Dupont, Roussel, d'Arcy, Lacroix, Besson, Picard, Leclerc"
    )
  },
  es: {
    female: list("Lucía, María, Carmen, Isabel, Elena, Paula, Sofía, Marta, Ana, Pilar, Ximena, Valentina"),
    male: list("Javier, Alejandro, Diego, Pablo, Carlos, Andrés, Sergio, Rodrigo, Mateo, Álvaro, Joaquín, Iñaki"),
    last: list(
      "García, Fernández, López, Martínez, Sánchez, Pérez, Gómez, Ruiz, Díaz, Moreno, Muñoz, Álvarez, Romero, Navarro, Torres, Domínguez, Vázquez, Ramos, Gil, Serrano, Castillo, Ortega, Rubio, Molina"
    )
  },
  ja: {
    female: list("Yui, Haruka, Aoi, Sakura, Misaki, Nanami, Rina, Ayumi, Kaori, Emi, Yōko, Mariko"),
    male: list("Haruto, Ren, Sōta, Takumi, Kenji, Hiroshi, Daisuke, Ryūnosuke, Shōta, Kōji, Masato, Yūki"),
    last: list(
      "Satō, Suzuki, Takahashi, Tanaka, Watanabe, Itō, Yamamoto, Nakamura, Kobayashi, Katō, Yoshida, Yamada, Sasaki, Matsumoto, Inoue, Kimura, Hayashi, Shimizu, Mori, Ikeda"
    ),
    noInitials: true
  },
  ko: {
    female: list("Min-ji, Seo-yeon, Ji-woo, Ha-eun, Soo-ah, Ye-jin, Da-eun, Eun-bi, Yoon-ah, Hye-jin"),
    male: list("Min-jun, Seo-jun, Do-yun, Ji-ho, Joon-ho, Jae-won, Hyun-woo, Sung-min, Dong-hyun, Tae-yang"),
    last: list("Kim, Lee, Park, Choi, Jung, Kang, Cho, Yoon, Jang, Lim, Han, Oh, Seo, Shin, Kwon, Song, Bae, Jeon"),
    familyFirst: true,
    noInitials: true
  },
  de: {
    female: list("Anna, Lena, Marie, Sophie, Johanna, Greta, Katharina, Jana, Franziska, Ulrike, Birgit, Sabine"),
    male: list("Lukas, Jonas, Felix, Maximilian, Tobias, Matthias, Stefan, Jürgen, Dieter, Florian, Moritz, Henrik"),
    last: list(
      "Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter, Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Krüger, Hartmann, Weiß, Groß"
    )
  },
  ar: {
    female: list("Nadine, Layla, Rania, Yasmin, Hind, Mona, Salma, Dalia, Nour, Reem"),
    male: list("Omar, Karim, Youssef, Tarek, Hassan, Khaled, Nabil, Samir, Ziad, Fadi"),
    last: list("Haddad, Mansour, Khoury, Nasser, Saleh, Hamdan, Farouk, El-Sayed, Aziz, Barakat, Rahman, Sabbagh, Toukan, Zaki, Halabi")
  },
  he: {
    female: list("Noa, Tamar, Maya, Shira, Yael, Michal, Ronit, Dana"),
    male: list("Yonatan, Itai, Lior, Amos, Eitan, Nadav, Ori, Avi"),
    last: list("Cohen, Levi, Mizrahi, Peretz, Biton, Dahan, Avraham, Friedman, Azoulay, Katz, Ben-David, Golan, Shapiro, Rosen")
  },
  hi: {
    female: list("Priya, Ananya, Kavya, Deepika, Aishwarya, Radhika, Meera, Sneha, Pooja, Shreya"),
    male: list("Arjun, Rahul, Vikram, Rohan, Aditya, Karan, Siddharth, Amitabh, Rajesh, Ishaan"),
    last: list("Sharma, Verma, Gupta, Kapoor, Khan, Mehta, Chopra, Malhotra, Iyer, Reddy, Nair, Joshi, Bhatt, Kulkarni, Banerjee, Chatterjee")
  },
  zh: {
    female: list("Xun, Mei, Ying, Yan, Jing, Fang, Xiaomei, Yue, Lan, Hui"),
    male: list("Wei, Yong, Jun, Hao, Lei, Bo, Tao, Kai, Jian, Ming"),
    last: list("Zhang, Wang, Li, Liu, Chen, Yang, Huang, Zhao, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, Lin, He"),
    familyFirst: true,
    noInitials: true
  },
  ru: {
    female: list("Anna, Yekaterina, Olga, Natalia, Svetlana, Irina, Tatiana, Yulia, Darya, Polina"),
    male: list("Aleksandr, Dmitriy, Sergey, Andrey, Aleksey, Nikita, Ivan, Mikhail, Pavel, Kirill"),
    last: list(
      "Ivanov, Smirnov, Kuznetsov, Popov, Vasiliev, Petrov, Sokolov, Mikhailov, Novikov, Fyodorov, Morozov, Volkov, Alekseev, Lebedev, Semyonov, Yegorov"
    ),
    feminine: (last) => `${last}a`
  }
}

const CODES = Object.keys(REGIONS)
const MASK28 = 0x0fffffff
const MAX_NUMBER = 1 << 22

/** The key of person `n` of a kind in the region of language `code` (English for any other language). */
export const personKey = (kind: Kind, code: string, n: number): number => {
  const region = Math.max(0, CODES.indexOf(code))
  return ((n % MAX_NUMBER) * 4 + KINDS.indexOf(kind)) * 16 + region
}

// A bijection on 28 bits (odd multipliers and xor-shifts are invertible), so distinct keys give
// distinct TMDB ids. Ids start at 3,000,000, clear of the real people credited in
// sandbox/RealCredits.ts.
const idOf = (key: number): number => {
  let x = Math.imul(key ^ 0x5a5a5a5, 0x2c1b3c6d) & MASK28
  x ^= x >>> 13
  x = Math.imul(x, 0x297a2d39) & MASK28
  x ^= x >>> 15
  return 3_000_000 + x
}

/** `x ^= x >>> s` undone on 28 bits. */
const unshift = (y: number, s: number): number => {
  let x = y
  for (let i = 0; i * s < 28; i++) x = y ^ (x >>> s)
  return x & MASK28
}
/** The inverse of an odd multiplier modulo 2^28 (Newton's iteration doubles the correct bits). */
const inverse = (a: number): number => {
  let inv = a
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(a, inv))
  return inv & MASK28
}
const INVERSE_A = inverse(0x2c1b3c6d)
const INVERSE_B = inverse(0x297a2d39)

/** The key of the generated person with TMDB id `id`, or undefined when no key gives that id. */
export const keyOfId = (id: number): number | undefined => {
  if (!Number.isInteger(id) || id < 3_000_000 || id >= 3_000_000 + MASK28 + 1) return undefined
  let x = unshift(id - 3_000_000, 15)
  x = Math.imul(x, INVERSE_B) & MASK28
  x = unshift(x, 13)
  const key = (Math.imul(x, INVERSE_A) & MASK28) ^ 0x5a5a5a5
  return idOf(key) === id ? key : undefined
}

/** The language code of the region a person's key names ("en" for any other). */
export const regionCodeOf = (key: number): string => CODES[key % 16] ?? "en"

/** Whether the key is one of a person credited once (not a director, regular actor or regular crew). */
export const isOneOff = (key: number): boolean => KINDS[Math.floor(key / 16) % 4] === "oneOff"

const HEX = "0123456789abcdef"
const INITIALS = "ABCDEFGHJKLMNPRSTW"
// A prime larger than any region's name count, so `(i * PRIME) % count` is a bijection on [0, count).
const PRIME = 104_729

export interface Person {
  readonly id: number
  readonly name: string
  /** TMDB's codes: 0 not set, 1 female, 2 male, 3 non-binary. */
  readonly gender: number
  readonly popularity: number
  readonly profile_path: string | null
}

/**
 * Everything about the person with this key. Within a region, the first few thousand directors,
 * regular actors and regular crew all have different names; people credited once carry a middle
 * initial (but in Japanese, Korean and Chinese names), so they never take a recurring person's name.
 */
export const personOf = (key: number): Person => draw(key, true)

/** `personOf(key)` without the profile path, which costs most of its draws: what a line of the person export needs. */
export const personNameOf = (key: number): Omit<Person, "id" | "profile_path"> => draw(key, false)

function draw(key: number, withProfile: true): Person
function draw(key: number, withProfile: false): Omit<Person, "id" | "profile_path">
function draw(key: number, withProfile: boolean): Person | Omit<Person, "id" | "profile_path"> {
  const region = REGIONS[CODES[key % 16] ?? "en"] as Region
  const kindIndex = Math.floor(key / 16) % 4
  const nameIndex = Math.floor(key / 16)
  const firsts = region.female.length + region.male.length
  const t = (nameIndex * PRIME) % (firsts * region.last.length)
  const f = t % firsts
  const female = f < region.female.length
  const first = female ? region.female[f] as string : region.male[f - region.female.length] as string
  const lastName = region.last[Math.floor(t / firsts)] as string
  const last = female && region.feminine !== undefined ? region.feminine(lastName) : lastName
  const r = mulberry32(hash32(key, 0x9e0))
  const oneOff = KINDS[kindIndex] === "oneOff"
  const middle = oneOff && region.noInitials !== true ? ` ${INITIALS[Math.floor(r() * INITIALS.length)]}.` : ""
  const name = region.familyFirst === true ? `${last} ${first}` : `${first}${middle} ${last}`
  const g = r()
  const gender = g < 0.015 ? 3 : g < (oneOff ? 0.35 : 0.06) ? 0 : female ? 1 : 2
  const popularity = Math.round((oneOff ? 0.6 + r() * 3 : 1 + 60 * r() ** 3) * 1000) / 1000
  if (!withProfile) return { name, gender, popularity }
  let profile: string | null = null
  if (r() < (oneOff ? 0.5 : 0.9)) {
    profile = "/"
    for (let i = 0; i < 27; i++) profile += HEX[Math.floor(r() * 16)]
    profile += ".jpg"
  }
  return { id: idOf(key), name, gender, popularity, profile_path: profile }
}
