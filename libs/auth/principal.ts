/** Who is making a request, as every guard and command sees it. */
export interface Principal {
  /** stable id recorded as the event actor: `token:<id>` */
  id: string;
  tokenId: string;
  isAdmin: boolean;
  authMethod: 'bootstrap-token' | 'token';
}

export type Action = 'read' | 'write' | 'delete' | 'admin';
