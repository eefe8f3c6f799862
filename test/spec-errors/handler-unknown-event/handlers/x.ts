// Exists so the sample's only mistake is the undeclared event.
export default async function handle(): Promise<void> {}
