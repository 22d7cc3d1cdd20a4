export interface PlaygroundUser {
  id: string;
  name: string;
  upn: string;
  aadObjectId: string;
  given: string;
  surname: string;
}

export interface PlaygroundConfig {
  tenantId: string;
  currentUser: PlaygroundUser;
  users: PlaygroundUser[];
  personalChatId: string;
}

export const PLAYGROUND_USERS: string[];
export function contosoPlayground(user?: string): PlaygroundConfig;
export function playgroundConfigYaml(c: PlaygroundConfig): string;
