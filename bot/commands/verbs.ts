/** The Action.Execute verbs of the bot's cards: the buttons it answers. */
export const VERBS = { revokeDevice: 'revokeDevice', listDevices: 'listDevices' } as const;
export type Verb = (typeof VERBS)[keyof typeof VERBS];
