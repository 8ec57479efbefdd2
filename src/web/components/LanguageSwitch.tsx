// English / 日本語.
import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage, type Language } from '../i18n';

const NAMES: Record<Language, string> = { en: 'English', ja: '日本語' };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language" role="group" aria-label={t('app.language')}>
      {LANGUAGES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={i18n.language === l} className={i18n.language === l ? 'active' : undefined} onClick={() => setLanguage(l)} data-testid={`lang-${l}`}>
          {NAMES[l]}
        </button>
      ))}
    </div>
  );
}
