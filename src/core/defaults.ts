// The one place for default values. Everything here can be changed through
// the config file, the environment or flags (see config.ts).

/** Environment variables worth keeping with each exec (glob patterns on names). */
export const DEFAULT_ENV_ALLOW = [
  'PATH', 'LD_LIBRARY_PATH', 'LD_PRELOAD', 'PYTHONPATH', 'PYTHONHOME',
  'LOADEDMODULES', '_LMFILES_', 'MODULEPATH', 'MODULESHOME',
  'OMP_*', 'MKL_*', 'OPENBLAS_*', 'GOMP_*', 'KMP_*',
  'CUDA_VISIBLE_DEVICES', 'NVIDIA_VISIBLE_DEVICES', 'HIP_VISIBLE_DEVICES', 'ROCR_VISIBLE_DEVICES',
  'SLURM_*', 'PBS_*',
  'CONDA_PREFIX', 'CONDA_DEFAULT_ENV', 'CONDA_EXE', 'VIRTUAL_ENV', 'PIPENV_ACTIVE',
  'OMPI_*', 'PMIX_RANK', 'PMI_RANK', 'I_MPI_*', 'MPICH_*',
];

export type FileRuleAction = 'drop' | 'software' | 'data';
export interface FileRule {
  /** A glob on the absolute path (picomatch syntax, dotfiles included). */
  pattern: string;
  action: FileRuleAction;
}

/**
 * File rules, first match wins; a path that matches none is research data.
 * Noise is dropped; system files are kept as "software" dependencies, which
 * the graph shows collapsed by default.
 */
export const DEFAULT_FILE_RULES: FileRule[] = [
  { pattern: '/dev/shm/**', action: 'data' },
  { pattern: '/proc/**', action: 'drop' },
  { pattern: '/proc', action: 'drop' },
  { pattern: '/sys/**', action: 'drop' },
  { pattern: '/dev/**', action: 'drop' },
  { pattern: '/etc/ld.so.cache', action: 'drop' },
  { pattern: '/etc/localtime', action: 'drop' },
  { pattern: '/usr/lib/locale/**', action: 'drop' },
  { pattern: '/usr/share/locale/**', action: 'drop' },
  { pattern: '/usr/share/i18n/**', action: 'drop' },
  { pattern: '/usr/lib/*/gconv/**', action: 'drop' },
  { pattern: '/usr/share/zoneinfo/**', action: 'drop' },
  { pattern: '**/*.so', action: 'software' },
  { pattern: '**/*.so.*', action: 'software' },
  { pattern: '**/__pycache__/**', action: 'software' },
  { pattern: '**/site-packages/**', action: 'software' },
  { pattern: '**/dist-packages/**', action: 'software' },
  { pattern: '/usr/**', action: 'software' },
  { pattern: '/lib/**', action: 'software' },
  { pattern: '/lib64/**', action: 'software' },
  { pattern: '/bin/**', action: 'software' },
  { pattern: '/sbin/**', action: 'software' },
  { pattern: '/etc/**', action: 'software' },
  { pattern: '/opt/**', action: 'software' },
];

/** Written files up to this size get a sha256. */
export const DEFAULT_HASH_MAX_BYTES = 256 * 1024 * 1024;

/** How long `kiseki run` keeps tracing daemons after the command exits. */
export const DEFAULT_LINGER_MS = 10_000;

/** Sessions end after this long without a request (the reference system: 30 minutes). */
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 30;
/** Failed sign-ins per user name (and per client address) before the server makes them wait. */
export const DEFAULT_LOGIN_ATTEMPTS = 5;
export const DEFAULT_LOGIN_WINDOW_MINUTES = 15;
/** A share link lives this many days unless its maker says otherwise. */
export const DEFAULT_SHARE_DAYS = 30;
