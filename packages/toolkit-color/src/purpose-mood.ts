export const MOODS = [
  "calm",
  "energetic",
  "professional",
  "playful",
  "elegant",
  "balanced",
] as const;

export type Mood = (typeof MOODS)[number];

/**
 * Words that point a purpose at a mood. A trailing `*` matches any word starting with the
 * stem ("meditat*" → meditation, meditating); the rest must match whole words, because short
 * stems like "spa" or "fun" would also catch "space" or "fundraising".
 */
const MOOD_KEYWORDS: Readonly<Record<Exclude<Mood, "balanced">, readonly string[]>> = {
  calm: [
    "calm*",
    "relax*",
    "meditat*",
    "sleep*",
    "spa",
    "peace*",
    "yoga",
    "mindful*",
    "wellness",
    "therap*",
    "zen",
    "breath*",
    "serene",
    "tranquil*",
    "soothing",
    "health*",
  ],
  energetic: [
    "energ*",
    "fitness",
    "sport*",
    "gym",
    "workout*",
    "running",
    "game",
    "games",
    "gaming",
    "party",
    "parties",
    "music",
    "festival*",
    "danc*",
    "action",
    "exciting",
    "bold",
    "racing",
    "dynamic",
  ],
  professional: [
    "professional*",
    "business*",
    "corporate",
    "financ*",
    "bank*",
    "law",
    "legal",
    "lawyer*",
    "enterprise*",
    "consult*",
    "saas",
    "dashboard*",
    "b2b",
    "accounting",
    "insurance",
    "analytics",
    "office",
    "invoice*",
    "trust*",
  ],
  playful: [
    "play*",
    "kid",
    "kids",
    "child*",
    "fun",
    "funny",
    "toy*",
    "candy",
    "cartoon*",
    "creative",
    "school",
    "baby",
    "birthday*",
    "comic*",
    "whimsical",
    "cute",
  ],
  elegant: [
    "luxur*",
    "elegan*",
    "fashion*",
    "premium",
    "wedding*",
    "jewel*",
    "boutique*",
    "wine*",
    "hotel*",
    "beauty",
    "cosmetic*",
    "sophisticat*",
    "classy",
    "gala",
  ],
};

export interface MoodMatch {
  readonly mood: Mood;
  /** The words of the purpose that decided the mood, so the model can explain the choice. */
  readonly matchedKeywords: readonly string[];
}

/**
 * The mood with the most keyword hits; ties go to the mood listed first, and a purpose with
 * no hits is "balanced". Deterministic, so the same purpose always gets the same scheme.
 */
export function detectMood(purpose: string): MoodMatch {
  const words = purpose.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  let best: MoodMatch = { mood: "balanced", matchedKeywords: [] };
  for (const [mood, keywords] of Object.entries(MOOD_KEYWORDS) as Array<[Mood, string[]]>) {
    const matched = words.filter((word) => keywords.some((keyword) => matches(word, keyword)));
    if (matched.length > best.matchedKeywords.length) best = { mood, matchedKeywords: matched };
  }
  return best;
}

function matches(word: string, keyword: string): boolean {
  return keyword.endsWith("*") ? word.startsWith(keyword.slice(0, -1)) : word === keyword;
}
