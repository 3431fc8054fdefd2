// Settings › Team: who works in the workspace, their role and whether they can sign in. Owners and admins add people,
// change roles and disable or enable access; the server enforces who may change whom and its refusal is shown.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { get, patch, post } from '../../api';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/ErrorNote';
import { FormSaveRow } from '../../components/FormSaveRow';
import { fill, useStrings } from '../../i18n';
import { canAdmin, useSession } from '../../session';
import type { Role, User } from '../../types';
import { OwnPassword } from './OwnPassword';
import { strings } from './strings';

const ROLES: readonly Role[] = ['owner', 'admin', 'agent'];
const RANK: Record<Role, number> = { agent: 1, admin: 2, owner: 3 };
/** The server's minimum (src/store/users.ts); it checks again. */
const MIN_PASSWORD_LENGTH = 8;

export function TeamTab() {
  const s = useStrings(strings);
  const { user: me } = useSession();
  const admin = canAdmin(me);
  const [users, setUsers] = useState<User[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(async () => {
    try {
      setUsers((await get<{ items: User[] }>('/users')).items);
    } catch (caught) {
      setError(caught);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section aria-labelledby="settings-team">
      <h2 id="settings-team">{s.teamTitle}</h2>
      {!admin && <p className="muted">{s.teamReadOnly}</p>}
      <ErrorNote error={error} />
      {!users && !error && <p className="muted">{s.loading}</p>}
      <ul className="settings-list">
        {users?.map((user) => (
          <UserItem key={user.id} user={user} me={me} onChanged={(next) => setUsers((list) => list?.map((u) => (u.id === next.id ? next : u)) ?? null)} />
        ))}
      </ul>
      {admin && <AddUser onAdded={() => void load()} />}
      <OwnPassword />
    </section>
  );
}

function UserItem({ user, me, onChanged }: { user: User; me: User; onChanged: (user: User) => void }) {
  const s = useStrings(strings);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const self = user.id === me.id;
  const who = user.name || user.email;
  // Only people at or above a role may grant it or change someone holding it; the server says the same.
  const manageable = canAdmin(me) && !self && RANK[me.role] >= RANK[user.role];
  const grantable = ROLES.filter((role) => RANK[role] <= RANK[me.role]);

  /** False when the server refused (the error shows beside the card). */
  const change = async (body: { role?: Role; disabled?: boolean }): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await patch<User>(`/users/${user.id}`, body));
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="settings-card" aria-label={user.name || user.email} data-user-id={user.id}>
      <div className="card-title">
        <h3>
          {user.name || user.email} {self && <span className="muted">({s.you})</span>}
        </h3>
        {!manageable && <span className="badge">{s.roles[user.role]}</span>}
        <span className={`badge ${user.disabled ? 'state-disabled' : 'state-enabled'}`}>{user.disabled ? s.userDisabled : s.userActive}</span>
      </div>
      <p className="muted card-note">{user.email}</p>
      {manageable && (
        <div className="card-actions">
          <label className="inline">
            {s.role}
            <select
              value={user.role}
              disabled={busy}
              aria-label={fill(s.roleOf, { who: user.name || user.email })}
              onChange={(event) => void change({ role: event.target.value as Role })}
            >
              {grantable.map((role) => (
                <option key={role} value={role}>
                  {s.roles[role]}
                </option>
              ))}
            </select>
          </label>
          {user.disabled ? (
            <button type="button" disabled={busy} aria-label={fill(s.enableWho, { who })} onClick={() => void change({ disabled: false })}>
              {s.enable}
            </button>
          ) : (
            // Taking someone's access away signs them out at once: asked first.
            <ConfirmButton
              layout="inline"
              danger
              label={s.disable}
              accessibleName={fill(s.disableWho, { who })}
              question={fill(s.disableQuestion, { who })}
              confirmLabel={s.disableConfirm}
              disabled={busy}
              onConfirm={() => change({ disabled: true })}
            />
          )}
        </div>
      )}
      <ErrorNote error={error} />
    </li>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const s = useStrings(strings);
  const { user: me } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState<string | null>(null);
  const grantable = ROLES.filter((role) => RANK[role] <= RANK[me.role]);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      const name = String(form.get('name') ?? '').trim();
      const user = await post<User>('/users', {
        email: String(form.get('email') ?? '').trim(),
        password: String(form.get('password') ?? ''),
        role: form.get('role'),
        ...(name ? { name } : {}),
      });
      element.reset();
      setAdded(user.name || user.email);
      onAdded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-card" aria-labelledby="add-user-title">
      <h3 id="add-user-title">{s.addUser}</h3>
      <form onSubmit={submit}>
        <label>
          {s.userName}
          <input name="name" maxLength={200} autoComplete="off" />
        </label>
        <label>
          {s.email}
          <input name="email" type="email" required autoComplete="off" />
        </label>
        <label>
          {s.password}
          <input name="password" type="password" required minLength={MIN_PASSWORD_LENGTH} autoComplete="new-password" aria-describedby="new-user-password-hint" />
          <small id="new-user-password-hint">{fill(s.passwordHint, { n: MIN_PASSWORD_LENGTH })}</small>
        </label>
        <label>
          {s.role}
          <select name="role" defaultValue="agent">
            {grantable.map((role) => (
              <option key={role} value={role}>
                {s.roles[role]}
              </option>
            ))}
          </select>
          <small>{s.rolesExplained}</small>
        </label>
        <FormSaveRow error={error} status={added && fill(s.userAdded, { who: added })} busy={busy} label={s.addUser} busyLabel={s.adding} />
      </form>
    </section>
  );
}
