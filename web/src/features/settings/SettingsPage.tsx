// Replaced by the settings screens (channels, team, API keys, workspace).
export function SettingsPage({ tab }: { tab: string }) {
  return <p className="centered muted">Settings: {tab}</p>;
}
