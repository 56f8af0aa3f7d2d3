import { clip } from '../domain/summarize.js';

export interface RejectedRequest {
  receivedAt: string;
  /** Signal (or update) name as sent, clipped. */
  name: string;
  /** Why it was refused: a few hundred characters at most, the input summarised, never copied. */
  reason: string;
}

/** How many rejections the run keeps (the newest); `total` counts them all. */
export const REJECTIONS_KEPT = 20;
export const REJECTION_REASON_MAX = 300;
const NAME_MAX = 60;

/**
 * Rejected signals, bounded whatever arrives: the status query, the UI details and a
 * continue-as-new carry at most {@link REJECTIONS_KEPT} short entries and a count.
 */
export class RejectionLog {
  private readonly recent: RejectedRequest[];
  private count: number;

  constructor(carried?: { recent: RejectedRequest[]; total: number }) {
    this.recent = carried ? carried.recent.slice(-REJECTIONS_KEPT) : [];
    this.count = carried?.total ?? this.recent.length;
  }

  record(name: string, reason: string): void {
    this.count += 1;
    this.recent.push({ receivedAt: new Date().toISOString(), name: clip(name, NAME_MAX), reason: clip(reason, REJECTION_REASON_MAX) });
    if (this.recent.length > REJECTIONS_KEPT) this.recent.splice(0, this.recent.length - REJECTIONS_KEPT);
  }

  /** The newest rejections, oldest first. */
  list(): RejectedRequest[] {
    return this.recent.map((r) => ({ ...r }));
  }

  get total(): number {
    return this.count;
  }
}

/** The signals a refresh takes; anything else reaches the default handler. */
export const REFRESH_SIGNALS = ['reprocess', 'approve', 'abandon'] as const;

/** `unknown signal "Reprocess" (did you mean "reprocess"?) …` — a typo gets an answer, not silence. */
export function unknownSignalReason(name: string): string {
  const lower = name.toLowerCase();
  const near = REFRESH_SIGNALS.find((known) => lower === known || editDistanceAtMost(lower, known, 2));
  const ending = ['cancel', 'stop', 'abort', 'terminate', 'fail'].includes(lower);
  const hint = near ? ` (did you mean "${near}"?)` : ending ? ' (to end a waiting run, send "abandon")' : '';
  const signals = REFRESH_SIGNALS.map((s) => `"${s}"`);
  return `unknown signal "${clip(name, NAME_MAX)}"${hint}; this run takes the signals ${signals.slice(0, -1).join(', ')} and ${signals.at(-1)} and the updates "reprocess" and "approve"`;
}

/** True when `a` and `b` are at most `max` single-character edits apart (short strings only). */
function editDistanceAtMost(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max || a.length > 64) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]! <= max;
}
