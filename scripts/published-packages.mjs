// The folders under packages/ that are published, dependencies first (a package's internal
// dependencies are packed before it). npm run pack and the publish dry run both read this list.
export const publishedPackages = ["protocol", "client", "react", "widget", "web", "server", "cli", "llm", "create-parlor"];
