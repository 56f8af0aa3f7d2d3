import { SinkError } from '../errors.js';

/**
 * OpenMetadata's FullyQualifiedName.quoteName: a name containing `.` is wrapped in double quotes,
 * a name containing `"` is invalid, anything else is used as is.
 */
export function quoteName(name: string): string {
  if (name.includes('"')) throw new SinkError('contract', `invalid OpenMetadata name ${JSON.stringify(name)}: names must not contain a double quote`);
  if (!name || name.length > 256 || name.includes('::')) {
    throw new SinkError('contract', `invalid OpenMetadata name ${JSON.stringify(name)}: 1-256 characters without "::"`);
  }
  return name.includes('.') ? `"${name}"` : name;
}

/** Joins already-quoted parent FQN parts with a new (unquoted) name. */
export function childFqn(parentFqn: string, name: string): string {
  return `${parentFqn}.${quoteName(name)}`;
}

export function buildFqn(...names: string[]): string {
  return names.map(quoteName).join('.');
}

/** FQNs go into URL paths percent-encoded as a whole, so quotes and dots survive. */
export function fqnPathSegment(fqn: string): string {
  return encodeURIComponent(fqn);
}
