/**
 * The colour of a task in run output (04-execution.md §9.1): hue = FNV-1a 32-bit of the printed id
 * (UTF-8) mod 360, drawn as HSL(hue, 60 %, 65 %) in 24-bit colour.
 *
 * @module
 */

const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SATURATION = 0.6;
const LIGHTNESS = 0.65;

const encoder = new TextEncoder();

/**
 * FNV-1a 32-bit hash of the UTF-8 bytes of `text`, as an unsigned integer.
 *
 * @example
 * ```ts
 * fnv1a32(""); // 0x811c9dc5
 * fnv1a32("a"); // 0xe40c292c
 * ```
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS;
  for (const byte of encoder.encode(text)) {
    hash = Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
  }
  return hash;
}

/**
 * Converts HSL (hue in degrees, saturation and lightness in 0..1) to 8-bit RGB, rounding each channel.
 *
 * @example
 * ```ts
 * hslToRgb({ hue: 0, saturation: 0.6, lightness: 0.65 }); // [219, 112, 112]
 * ```
 */
export function hslToRgb(
  { hue, saturation, lightness }: { hue: number; saturation: number; lightness: number },
): [number, number, number] {
  const chroma = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round((lightness - chroma * Math.max(-1, Math.min(k - 3, 9 - k, 1))) * 255);
  };
  return [channel(0), channel(8), channel(4)];
}

/**
 * The SGR parameters (`38;2;R;G;B`) of a task's colour, from its printed id.
 *
 * @example
 * ```ts
 * const params = taskColorParams("p:a"); // "38;2;R;G;B" for that id's hue
 * `\x1b[${params}m[p:a]\x1b[0m `;
 * ```
 */
export function taskColorParams(printedId: string): string {
  const [red, green, blue] = hslToRgb({
    hue: fnv1a32(printedId) % 360,
    saturation: SATURATION,
    lightness: LIGHTNESS,
  });
  return `38;2;${red};${green};${blue}`;
}
