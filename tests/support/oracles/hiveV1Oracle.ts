import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Two oracles for Hive bucketing v1 that share no code with src/domain/hiveBucketing.ts:
 * - `referenceStringHash`: the closed form Σ signedByte_i · 31^(n-1-i) mod 2^32 in BigInt, over a
 *   UTF-8 encoding written out here from code points (no TextEncoder, no Math.imul);
 * - `javaOracle`: HiveV1Oracle.java run by the JDK (`String.getBytes(UTF_8)`, Java int overflow,
 *   `Long.hashCode`, `LocalDate.toEpochDay`) — skipped with a warning when no `java` is installed.
 */
export function utf8FromCodePoints(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

export function referenceStringHash(text: string): number {
  const bytes = utf8FromCodePoints(text);
  const modulus = 2n ** 32n;
  let sum = 0n;
  let power = 1n;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const signed = BigInt(bytes[i]! >= 128 ? bytes[i]! - 256 : bytes[i]!);
    sum = (sum + signed * power) % modulus;
    power = (power * 31n) % modulus;
  }
  return Number(BigInt.asIntN(32, (sum + modulus) % modulus));
}

export type OracleRequest = { kind: 'string'; value: string } | { kind: 'bigint'; value: bigint } | { kind: 'date'; value: string };

const JAVA_SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'HiveV1Oracle.java');

export const HAVE_JAVA = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;

/** Hashes computed by the JDK, in request order. */
export function javaOracle(requests: readonly OracleRequest[]): number[] {
  const lines = requests.map((r) => {
    if (r.kind !== 'string') return `${r.kind} ${r.value}`;
    const units = Array.from({ length: r.value.length }, (_, i) => r.value.charCodeAt(i).toString(16).padStart(4, '0'));
    return `string ${units.join('')}`;
  });
  const run = spawnSync('java', [JAVA_SOURCE], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`java oracle failed (${run.status}): ${run.stderr}`);
  const hashes = run.stdout.trim().split('\n').map(Number);
  if (hashes.length !== requests.length) throw new Error(`java oracle answered ${hashes.length} of ${requests.length} requests`);
  return hashes;
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random well-formed strings mixing 1-, 2-, 3- and 4-byte UTF-8 characters (Parquet strings are valid UTF-8). */
export function randomStrings(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const pools: [number, number][] = [
    [0x20, 0x7e], // ASCII
    [0x00, 0x1f], // control characters
    [0xa0, 0x7ff], // 2-byte: Latin-1 supplement … Arabic
    [0x4e00, 0x9fff], // 3-byte: CJK
    [0xe000, 0xfffd], // 3-byte: private use … specials (skips the surrogate range)
    [0x1f300, 0x1faff], // 4-byte: emoji
    [0x20000, 0x2a6df], // 4-byte: CJK extension B
  ];
  return Array.from({ length: count }, () => {
    const length = Math.floor(random() * 40);
    let text = '';
    for (let i = 0; i < length; i++) {
      const [lo, hi] = pools[Math.floor(random() * pools.length)]!;
      text += String.fromCodePoint(lo + Math.floor(random() * (hi - lo + 1)));
    }
    return text;
  });
}
