// Amounts, sizes, times and accounts as people read them.

/** Units per TFT: 7 decimals, as on Stellar. */
export const TFT = 10_000_000n;

/** `units` as TFT with all 7 decimals: `12.5000000 TFT`. */
export function tft(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const fraction = (abs % TFT).toString().padStart(7, '0');
  return `${sign}${(abs / TFT).toLocaleString('en-US')}.${fraction} TFT`;
}

const UNITS: [string, bigint][] = [['TiB', 1024n ** 4n], ['GiB', 1024n ** 3n], ['MiB', 1024n ** 2n], ['KiB', 1024n]];

/** Bytes for people: `20 GiB`, `1.5 TiB`. */
export function bytes(value: bigint): string {
  for (const [unit, size] of UNITS) {
    if (value >= size) {
      const tenths = ((value % size) * 10n) / size;
      return tenths === 0n && value % size === 0n ? `${value / size} ${unit}` : `${value / size}.${tenths} ${unit}`;
    }
  }
  return `${value} B`;
}

/** Milliseconds since the epoch as a UTC date: `2026-11-23 10:15:06 UTC`. */
export function date(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The start and end of a long account address: `5Grw…utQY`. */
export const short = (address: string) => (address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-6)}` : address);
