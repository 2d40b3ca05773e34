import type { EffectiveProfile, ParityRow, StatusReport } from '@skillsync/registry';
import semver from 'semver';
import { byteOrder } from '@skillsync/core';
import { meetsRequirement } from '../profiles/index.js';

/** A device's latest status report, as stored. */
export interface DeviceReport {
  readonly report: StatusReport;
  readonly reportedAt: string;
}

/**
 * Where one member stands against their effective profile, from the latest report of
 * each of their devices:
 * - `unknown`: no device reported;
 * - `blocked`: some device has a skill the profile blocks (`blocked`: each name and
 *   version reported); first, since running what the org forbids outweighs lacking what
 *   it requires;
 * - `behind`: otherwise, some device lacks a required skill (`missing`) or has it at a
 *   version the requirement does not admit (`behind`, with the lowest such version);
 * - `drifted`: otherwise, some device counts drift (`drift` is the sum over devices);
 * - `current`: every required skill, at an admitted version, on every device, nothing
 *   blocked, no drift.
 */
export function parityOf(user: string, profile: Pick<EffectiveProfile, 'required' | 'blockedSkills'>, reports: readonly DeviceReport[]): ParityRow {
  if (reports.length === 0) return { user, state: 'unknown', devices: 0, missing: [], behind: [], blocked: [], drift: 0 };
  const missing: string[] = [];
  const behind: ParityRow['behind'] = [];
  for (const { name, version: required } of profile.required) {
    const installed = reports.map(({ report }) => report.skills.filter((skill) => skill.name === name).map((skill) => skill.version));
    if (installed.some((versions) => versions.length === 0)) missing.push(name);
    // A version that is not semver cannot be ranked (the report schema refuses one; a row stored before it may hold one).
    const below = installed.flat().filter((version) => semver.valid(version) !== null && !meetsRequirement(version, required));
    const lowest = below.sort(semver.compare)[0];
    if (lowest !== undefined) behind.push({ name, version: lowest, required });
  }
  const blocked = blockedInstalled(profile.blockedSkills, reports);
  const drift = reports.reduce((sum, { report }) => sum + Object.values(report.drift).reduce((count, value) => count + value, 0), 0);
  const reportedAt = reports.map((report) => report.reportedAt).reduce((latest, at) => (at > latest ? at : latest));
  const state = blocked.length > 0 ? 'blocked' : missing.length > 0 || behind.length > 0 ? 'behind' : drift > 0 ? 'drifted' : 'current';
  return { user, state, reportedAt, devices: reports.length, missing, behind, blocked, drift };
}

/** Each blocked skill at each version some device reported, once, by name then version (byte order). */
function blockedInstalled(blockedSkills: readonly string[], reports: readonly DeviceReport[]): ParityRow['blocked'] {
  const names = new Set(blockedSkills);
  const found = new Map<string, ParityRow['blocked'][number]>();
  for (const { report } of reports) {
    for (const { name, version } of report.skills) if (names.has(name)) found.set(`${name}@${version}`, { name, version });
  }
  return [...found.values()].sort((a, b) => byteOrder(a.name, b.name) || byteOrder(a.version, b.version));
}
