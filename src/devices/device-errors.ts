/**
 * Why a device operation was refused. Domain errors with data, translated at each seam: the device
 * API into HttpError, the onboarding pages into an explanatory page, the CLI into its message.
 */
export class NoAccess extends Error {
  readonly code = 'NoAccess';
  constructor(readonly tenantId: string, readonly userId: string) {
    super('This account is not in any group that receives company contacts, so it cannot connect devices. An administrator chooses these groups in Switchboard.');
    this.name = 'NoAccess';
  }
}

export class TooManyDevices extends Error {
  readonly code = 'TooManyDevices';
  constructor(readonly limit: number) {
    super(`This account already has ${limit} connected devices, the most allowed. Revoke one you no longer use, then add the new one.`);
    this.name = 'TooManyDevices';
  }
}

export type EnrollmentProblem = 'unknown' | 'expired' | 'used';

export class EnrollmentUnavailable extends Error {
  readonly code = 'EnrollmentUnavailable';
  constructor(readonly reason: EnrollmentProblem) {
    super(
      reason === 'used'
        ? 'This link has already been used. Each link connects one device once.'
        : reason === 'expired'
          ? 'This link has expired. Links are valid for 15 minutes.'
          : 'This link is not valid.',
    );
    this.name = 'EnrollmentUnavailable';
  }
}
