import { SkillsyncError } from '@skillsync/core';

/**
 * Refuses a new device (SERVER_CONFLICT) for a member who already sends `what` from
 * `known` devices, `cap` being the most the server keeps per member: a member's rows
 * would otherwise grow with every device name a client makes up.
 */
export function requireDeviceRoom(known: number, cap: number, what: string): void {
  if (known < cap) return;
  throw new SkillsyncError('SERVER_CONFLICT', `You already send ${what} from ${known} devices, the most this server keeps per member.`, {
    hint: 'Send from a device name you used before: a device name stands for one machine and should not change.',
    details: { devices: known, limit: cap },
  });
}
