// Every configuration variable the server reads is documented where a newcomer looks for it.
import { readFileSync } from "node:fs";
import { environmentSchema } from "../../src/config/schema.js";
import { PROJECT_ROOT } from "../support/process.js";

const variables = Object.keys(environmentSchema.shape);
const read = (file: string) => readFileSync(`${PROJECT_ROOT}/${file}`, "utf8");

test("the schema knows every SPEC variable", () => {
  expect(variables.length).toBeGreaterThanOrEqual(26);
});

test.each(variables)("%s is in .env.example and in the README's configuration table", (variable) => {
  expect(read(".env.example")).toMatch(new RegExp(`^#? ?${variable}=`, "m"));
  expect(read("README.md")).toMatch(new RegExp(`^\\| [^|]*\`${variable}\`[^|]*\\|`, "m")); // first cell of a table row
});

test("an unedited .env.example sets nothing, so a copy of it starts demo mode", () => {
  const assignments = read(".env.example")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line));
  expect(assignments).toEqual([]);
});
