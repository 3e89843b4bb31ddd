import type { Adapter, AdapterPayload } from 'oidc-provider';

// A tiny in-memory storage adapter. oidc-provider's built-in one logs a "development-only" warning
// on every start and keeps one module-global store; this one is per provider instance (tests start
// several) and quiet. Demo data is meant to vanish on restart.

interface Entry {
  payload: AdapterPayload;
  expiresAt: number; // epoch ms, Infinity when the model has no TTL
}

// Token models that hang off a grant, so revoking the grant (logout, refresh-token reuse) can drop them.
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

// Expired entries are only noticed when read; sweep every so many writes so a long benchmark
// that logs in thousands of times does not grow memory without bound.
const SWEEP_EVERY = 500;

export function createMemoryAdapterFactory(): (model: string) => Adapter {
  const store = new Map<string, Entry>();
  const byGrant = new Map<string, Set<string>>();
  const sessionByUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  let writes = 0;

  const live = (key: string): AdapterPayload | undefined => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  const sweep = (): void => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
    for (const [grantId, keys] of byGrant) {
      for (const key of keys) if (!store.has(key)) keys.delete(key);
      if (keys.size === 0) byGrant.delete(grantId);
    }
    for (const [uid, id] of sessionByUid) if (!store.has(`Session:${id}`)) sessionByUid.delete(uid);
    for (const [code, key] of byUserCode) if (!store.has(key)) byUserCode.delete(code);
  };

  return (model: string): Adapter => {
    const keyFor = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const key = keyFor(id);
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity;
        store.set(key, { payload, expiresAt });
        if (model === 'Session' && typeof payload.uid === 'string') sessionByUid.set(payload.uid, id);
        if (typeof payload.userCode === 'string') byUserCode.set(payload.userCode, key);
        if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
        writes += 1;
        if (writes % SWEEP_EVERY === 0) sweep();
      },
      async find(id) {
        return live(keyFor(id));
      },
      async findByUid(uid) {
        const id = sessionByUid.get(uid);
        return id === undefined ? undefined : live(keyFor(id));
      },
      async findByUserCode(userCode) {
        const key = byUserCode.get(userCode);
        return key === undefined ? undefined : live(key);
      },
      async consume(id) {
        const payload = live(keyFor(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        store.delete(keyFor(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) store.delete(key);
        byGrant.delete(grantId);
      },
    };
  };
}
