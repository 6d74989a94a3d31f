// What reading the configuration found wrong. Every check appends here instead of throwing, so the
// operator sees all problems of a deployment at once: errors stop the start, warnings are logged.
export interface ConfigProblems {
  errors: string[];
  warnings: string[];
}
