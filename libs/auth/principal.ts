import type { Action, Grant } from '../domain/index.js';

export type { Action };

/** Who is making a request, as every guard and command sees it. */
export interface Principal {
  /** recorded as the event actor: the user id, or `token:bootstrap-admin` */
  id: string;
  /** null only for the bootstrap admin token */
  userId: string | null;
  tokenId?: string;
  isAdmin: boolean;
  groups: string[];
  grants: Grant[];
  authMethod: 'bootstrap-token' | 'token' | 'session';
  /** token restrictions (sessions have none) */
  readOnly: boolean;
  repositories: string[] | null;
}
