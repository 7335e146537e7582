import type { Logger } from 'pino';
import type {
  ArtifactCommands,
  GarbageCollector,
  HistoryServices,
  IdentityCommands,
  IdentityQueries,
  ProjectionRunner,
  RepositoryCommands,
  RemoteCache,
  RepositoryQueries,
  SignIn,
  StreamWriter,
  VirtualMembers,
} from '../../libs/app/index.js';
import type { Authenticator, PasswordStore, SessionService, TokenService } from '../../libs/auth/index.js';
import type { StrataConfig } from '../../libs/config/config.js';
import type { Infrastructure } from '../../libs/config/infrastructure.js';
import type { FormatPlugin } from '../../libs/format-kit/index.js';
import type { RegistryMetrics } from './metrics.js';

/** Everything the registry's controllers use, built once at start (see build-services.ts). */
export class RegistryServices {
  /** promotions, restores, history and exports (set by buildServices right after construction) */
  history!: HistoryServices;
  /** remote repositories' upstream cache and virtual repositories' members (set by buildServices) */
  remote!: RemoteCache;
  virtual!: VirtualMembers;

  constructor(
    readonly config: StrataConfig,
    readonly infra: Infrastructure,
    readonly runner: ProjectionRunner,
    readonly writer: StreamWriter,
    readonly repositories: RepositoryQueries,
    readonly repositoryCommands: RepositoryCommands,
    readonly artifactCommands: ArtifactCommands,
    readonly gc: GarbageCollector,
    readonly metrics: RegistryMetrics,
    readonly formats: readonly FormatPlugin[],
    readonly logger: Logger,
    readonly identity: {
      tokens: TokenService;
      authenticator: Authenticator;
      sessions: SessionService;
      passwords: PasswordStore;
      commands: IdentityCommands;
      queries: IdentityQueries;
      signIn: SignIn;
    },
  ) {}
}
