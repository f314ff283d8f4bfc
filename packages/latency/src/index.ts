// Public API: list every export by name.
export {};
