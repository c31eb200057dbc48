/**
 * A short string matching a JSON Schema `pattern`, for the fake model's arguments: the first
 * alternative of each choice, the fewest repetitions each quantifier allows, a plain character
 * from each class ("a", "0", "A" when the class has one). Covers the patterns zod emits
 * (`z.iso.time()`, `.regex(/^[A-Z]{3}$/)`, `.startsWith()`, …); undefined when the result does
 * not match (backreferences, lookarounds that exclude it), so the caller can fall back.
 */
export function patternExample(pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  const parser = new Parser(pattern);
  let value: string;
  try {
    value = parser.alternation();
  } catch {
    return undefined;
  }
  return regex.test(value) ? value : undefined;
}

const PREFERRED = ["a", "0", "A", "x", "-", "_", " "];

class Parser {
  #at = 0;
  constructor(readonly source: string) {}

  alternation(): string {
    const first = this.sequence();
    // Later alternatives are parsed only to move past them.
    while (this.peek() === "|") {
      this.#at++;
      this.sequence();
    }
    return first;
  }

  sequence(): string {
    let out = "";
    while (this.#at < this.source.length && this.peek() !== "|" && this.peek() !== ")") {
      const atom = this.atom();
      out += atom.repeat(this.quantifier());
    }
    return out;
  }

  atom(): string {
    const char = this.source[this.#at++] ?? "";
    switch (char) {
      case "^":
      case "$":
        return "";
      case ".":
        return "a";
      case "(":
        return this.group();
      case "[":
        return this.charClass();
      case "\\":
        return this.escape();
      default:
        return char;
    }
  }

  group(): string {
    let lookaround = false;
    if (this.source.startsWith("?:", this.#at)) this.#at += 2;
    else if (/^\?<?[=!]/.test(this.source.slice(this.#at, this.#at + 3))) {
      lookaround = true;
      this.#at += this.source[this.#at + 1] === "<" ? 3 : 2;
    } else if (this.source.startsWith("?<", this.#at)) {
      this.#at = this.source.indexOf(">", this.#at) + 1;
    }
    const inner = this.alternation();
    if (this.source[this.#at++] !== ")") throw new Error("unclosed group");
    return lookaround ? "" : inner;
  }

  escape(): string {
    const char = this.source[this.#at++] ?? "";
    if (char === "d") return "0";
    if (char === "w") return "a";
    if (char === "s") return " ";
    if (char === "D" || char === "W" || char === "S") return "-";
    if (char === "b" || char === "B") return "";
    if (char === "u" && this.source[this.#at] === "{") {
      const end = this.source.indexOf("}", this.#at);
      const code = Number.parseInt(this.source.slice(this.#at + 1, end), 16);
      this.#at = end + 1;
      return String.fromCodePoint(code);
    }
    if (char === "u" || char === "x") {
      const length = char === "u" ? 4 : 2;
      const code = Number.parseInt(this.source.slice(this.#at, this.#at + length), 16);
      this.#at += length;
      return String.fromCharCode(code);
    }
    if (/[1-9]/.test(char)) throw new Error("backreference");
    return char;
  }

  charClass(): string {
    const negated = this.source[this.#at] === "^";
    if (negated) this.#at++;
    const members: Array<[string, string]> = [];
    let first = true;
    while (this.#at < this.source.length && (this.source[this.#at] !== "]" || first)) {
      first = false;
      let low = this.classChar();
      let high = low;
      if (this.source[this.#at] === "-" && this.source[this.#at + 1] !== "]") {
        this.#at++;
        high = this.classChar();
      }
      if (low.length > 1) [low, high] = [low[0] ?? "", low[1] ?? ""];
      members.push([low, high]);
    }
    this.#at++;
    const inClass = (c: string) => members.some(([lo, hi]) => c >= lo && c <= hi);
    if (negated) {
      const pick = [...PREFERRED, "b", "1", "B"].find((c) => !inClass(c));
      if (pick === undefined) throw new Error("no character");
      return pick;
    }
    return PREFERRED.find(inClass) ?? members[0]?.[0] ?? "a";
  }

  /** One character of a class; `\d`, `\w`, `\s` as a range pair "09", "az", "  ". */
  classChar(): string {
    const char = this.source[this.#at++] ?? "";
    if (char !== "\\") return char;
    const escaped = this.source[this.#at++] ?? "";
    if (escaped === "d") return "09";
    if (escaped === "w") return "az";
    if (escaped === "s") return "  ";
    if (escaped === "u" || escaped === "x") {
      const length = escaped === "u" ? 4 : 2;
      const code = Number.parseInt(this.source.slice(this.#at, this.#at + length), 16);
      this.#at += length;
      return String.fromCharCode(code);
    }
    return escaped;
  }

  quantifier(): number {
    const char = this.peek();
    let count = 1;
    if (char === "*" || char === "?") {
      this.#at++;
      count = 0;
    } else if (char === "+") {
      this.#at++;
      count = 1;
    } else if (char === "{") {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.#at));
      if (!match) return 1;
      this.#at += match[0].length;
      count = Number(match[1]);
    } else {
      return 1;
    }
    if (this.peek() === "?" || this.peek() === "+") this.#at++;
    return count;
  }

  peek(): string | undefined {
    return this.source[this.#at];
  }
}
