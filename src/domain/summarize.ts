/**
 * Bounded text for operators: error reasons, rejected requests and UI details must stay a few
 * hundred characters whatever the input was (an attacker's 2 MB signal included).
 */

/** `text` cut to `max` characters, with an ellipsis and the original length when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = `… (${text.length.toLocaleString('en-US')} chars)`;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

/** `A, B, C and 4,997 more`: the first `max` names and how many were left out. */
export function listSome(names: readonly string[], max = 5, eachMax = 40): string {
  const shown = names.slice(0, max).map((n) => clip(n, eachMax));
  const rest = names.length - shown.length;
  if (rest <= 0) return shown.join(', ');
  return `${shown.join(', ')} and ${rest.toLocaleString('en-US')} more`;
}

/**
 * The shape of a value, never its content: `object {tables: array(5000)}`, `string (12 chars)`.
 * Used to say what a rejected request carried without copying it into history or the UI.
 */
export function describeValue(value: unknown, depth = 0): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `string (${value.length.toLocaleString('en-US')} chars)`;
  if (typeof value === 'number' || typeof value === 'boolean') return typeof value;
  if (value instanceof Uint8Array) return `binary (${value.length.toLocaleString('en-US')} bytes)`;
  if (Array.isArray(value)) return `array(${value.length.toLocaleString('en-US')})`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (depth > 0) return `object (${keys.length} keys)`;
    const fields = keys.slice(0, 4).map((k) => `${clip(k, 24)}: ${describeValue((value as Record<string, unknown>)[k], depth + 1)}`);
    const more = keys.length > 4 ? `, … ${keys.length - 4} more` : '';
    return `object {${fields.join(', ')}${more}}`;
  }
  return typeof value;
}
