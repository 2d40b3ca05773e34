import { SkillsyncError } from '@skillsync/core';

const units: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time as people type it for `--since`: a duration back from `now` (`30m`, `1h`,
 * `7d`, `2w`), a date (`2026-01-31`, midnight UTC) or an ISO 8601 date-time.
 */
export function parseAuditTime(text: string, now: Date): Date {
  const value = text.trim();
  const duration = /^(\d{1,9})\s*([smhdw])$/i.exec(value);
  if (duration !== null) {
    return new Date(now.getTime() - Number(duration[1]) * (units[(duration[2] ?? '').toLowerCase()] ?? 0));
  }
  if (/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(value)) {
    // A date alone, or a date-time without a zone, is read as UTC (as the log shows times).
    const iso = value.replace(' ', 'T');
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) || !iso.includes('T') ? iso : `${iso}Z`;
    const time = new Date(zoned);
    if (!Number.isNaN(time.getTime())) return time;
  }
  throw new SkillsyncError('INVALID_INPUT', `'${value.slice(0, 40)}' is not a time: use a duration such as 30m, 1h, 7d or 2w, a date such as 2026-01-31, or an ISO 8601 time.`, {
    hint: 'Durations count back from now: s, m, h, d (days) and w (weeks). Dates and times without a zone are UTC.',
    details: { value: value.slice(0, 40) },
  });
}
