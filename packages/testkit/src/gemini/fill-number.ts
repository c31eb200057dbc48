import { type FillContext, type Filled, mentionOf, type Schema } from "./fill-context.ts";

export function fillNumeric(
  schema: Schema,
  name: string,
  integer: boolean,
  ctx: FillContext,
): Filled {
  const num = (key: string) =>
    typeof schema[key] === "number" ? (schema[key] as number) : undefined;
  const minimum = num("minimum");
  const maximum = num("maximum");
  const exclusiveMin = num("exclusiveMinimum");
  const exclusiveMax = num("exclusiveMaximum");
  const multipleOf = num("multipleOf");
  const fits = (n: number) =>
    (!integer || Number.isInteger(n)) &&
    (minimum === undefined || n >= minimum) &&
    (maximum === undefined || n <= maximum) &&
    (exclusiveMin === undefined || n > exclusiveMin) &&
    (exclusiveMax === undefined || n < exclusiveMax) &&
    (multipleOf === undefined || Number.isInteger(Number((n / multipleOf).toFixed(9))));
  // A number next to the parameter's name ("3 days", "days: 3") first, then any that fits.
  const numbers = [...ctx.text.matchAll(/-?\d+(?:\.\d+)?/g)].map((m) => ({
    value: Number(m[0]),
    at: m.index ?? 0,
  }));
  const mention = mentionOf(name, ctx);
  const nameAt =
    mention === undefined ? -1 : ctx.text.toLowerCase().indexOf(ctx.words[mention] ?? "");
  const near = numbers
    .filter((n) => fits(n.value))
    .sort((a, b) => (nameAt === -1 ? 0 : Math.abs(a.at - nameAt) - Math.abs(b.at - nameAt)));
  const said = near[0]?.value;
  if (said !== undefined) return { value: said, fromText: true };
  if (typeof schema.default === "number") return { value: schema.default, fromText: false };
  return {
    value: numberWithin(
      fits,
      { minimum, maximum, exclusiveMin, exclusiveMax, multipleOf },
      integer,
    ),
    fromText: false,
  };
}

interface Bounds {
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMin: number | undefined;
  exclusiveMax: number | undefined;
  multipleOf: number | undefined;
}

/** 3 if allowed (a small, plausible count), else the allowed value nearest to it. */
function numberWithin(fits: (n: number) => boolean, bounds: Bounds, integer: boolean): number {
  if (fits(3)) return 3;
  const step = bounds.multipleOf ?? (integer ? 1 : 0.5);
  const low = bounds.minimum ?? bounds.exclusiveMin ?? -Infinity;
  const high = bounds.maximum ?? bounds.exclusiveMax ?? Infinity;
  const start = Math.round(Math.min(Math.max(3, low), high) / step) * step;
  for (let i = 0; i < 1000; i++) {
    for (const candidate of [start + i * step, start - i * step]) {
      if (fits(candidate)) return candidate;
    }
  }
  return Number.isFinite(low) ? low : Number.isFinite(high) ? high : 0;
}
