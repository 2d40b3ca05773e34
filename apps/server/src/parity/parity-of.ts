import type { EffectiveProfile, ParityRow, StatusReport } from '@skillsync/registry';
import semver from 'semver';
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
 * - `behind`: some device lacks a required skill (`missing`) or has it at a version the
 *   requirement does not admit (`behind`, with the lowest such version);
 * - `drifted`: otherwise, some device counts drift (`drift` is the sum over devices);
 * - `current`: every required skill, at an admitted version, on every device, no drift.
 */
export function parityOf(user: string, profile: Pick<EffectiveProfile, 'required'>, reports: readonly DeviceReport[]): ParityRow {
  if (reports.length === 0) return { user, state: 'unknown', devices: 0, missing: [], behind: [], drift: 0 };
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
  const drift = reports.reduce((sum, { report }) => sum + Object.values(report.drift).reduce((count, value) => count + value, 0), 0);
  const reportedAt = reports.map((report) => report.reportedAt).reduce((latest, at) => (at > latest ? at : latest));
  const state = missing.length > 0 || behind.length > 0 ? 'behind' : drift > 0 ? 'drifted' : 'current';
  return { user, state, reportedAt, devices: reports.length, missing, behind, drift };
}
