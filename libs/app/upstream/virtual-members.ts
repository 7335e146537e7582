import { DomainError, membersFor, normaliseVirtual, type RepositoryView } from '../../domain/index.js';
import type { VirtualServices } from '../../format-kit/index.js';

/** Virtual repositories over the repositories read model (see VirtualServices for the contract). */
export class VirtualMembers implements VirtualServices {
  constructor(private readonly repositories: { find(name: string): Promise<RepositoryView | null> }) {}

  async members(repository: RepositoryView, name: string | undefined, holds: (hosted: RepositoryView) => Promise<boolean>): Promise<RepositoryView[]> {
    const flat = await this.flatten(repository, new Set([repository.name]));
    if (name === undefined) return flat;
    const held = new Set<string>();
    for (const m of flat) if (m.type === 'hosted' && (await holds(m))) held.add(m.name);
    const config = normaliseVirtual(repository.config);
    const chosen = membersFor(config, flat.map((m) => ({ name: m.name, type: m.type })), name, held);
    return chosen.map((c) => flat.find((m) => m.name === c.name)!);
  }

  async publishTarget(repository: RepositoryView): Promise<RepositoryView> {
    const config = normaliseVirtual(repository.config);
    const members = await this.flatten(repository, new Set([repository.name]));
    const target = config.publishTo ? members.find((m) => m.name === config.publishTo) : members.find((m) => m.type === 'hosted');
    if (!target || target.type !== 'hosted') {
      throw new DomainError('METHOD_NOT_ALLOWED', `virtual repository "${repository.name}" has no hosted member to publish to`);
    }
    return target;
  }

  /** Members in order, nested virtual repositories expanded in place, each repository once, missing ones skipped. */
  private async flatten(repository: RepositoryView, seen: Set<string>): Promise<RepositoryView[]> {
    const out: RepositoryView[] = [];
    for (const name of repository.config.members ?? []) {
      if (seen.has(name)) continue;
      seen.add(name);
      const member = await this.repositories.find(name);
      if (!member || member.format !== repository.format) continue;
      if (member.type === 'virtual') out.push(...(await this.flatten(member, seen)));
      else out.push(member);
    }
    return out;
  }
}
