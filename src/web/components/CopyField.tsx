// A read-only value with a Copy button: share link URLs and new API tokens.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export function CopyField(p: { value: string; label: string; testId: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(p.value);
      setCopied(true);
    } catch {
      // No clipboard (plain http on another host): the field is selectable.
      setCopied(false);
    }
  };
  return (
    <div className="link-row">
      <input readOnly value={p.value} aria-label={p.label} data-testid={p.testId} onFocus={(e) => e.target.select()} />
      <button type="button" className="primary" onClick={() => void copy()} data-testid={`${p.testId}-copy`}>
        {copied ? t('link.copied') : t('link.copy')}
      </button>
    </div>
  );
}
