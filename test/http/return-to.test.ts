// returnTo through the whole flow: hostile values end on "/", same-origin paths are kept.
import request from "supertest";
import { HOSTILE_RETURN_TO } from "../support/hostile-return-to.js";
import { startTestStack, type TestStack } from "../support/stack.js";
import { finishSignIn, signIn } from "../support/sign-in.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

test(`all ${HOSTILE_RETURN_TO.length} hostile returnTo values land on "/" after sign-in`, async () => {
  expect(HOSTILE_RETURN_TO.length).toBeGreaterThanOrEqual(150);
  const landings = [];
  for (const returnTo of HOSTILE_RETURN_TO) {
    const { callback } = await signIn(request.agent(stack.app), { returnTo });
    landings.push([returnTo, callback.status, callback.headers.location]);
  }
  expect(landings).toEqual(HOSTILE_RETURN_TO.map((returnTo) => [returnTo, 303, "/"]));
});

test("repeated returnTo parameters are refused", async () => {
  const agent = request.agent(stack.app);
  const start = await agent.get("/auth/github?returnTo=/a&returnTo=/b").expect(302);
  const { callback } = await finishSignIn(agent, new URL(start.headers.location!));
  expect(callback.headers.location).toBe("/");
});

test("a same-origin path with query and fragment is kept", async () => {
  const { callback } = await signIn(request.agent(stack.app), { returnTo: "/repos?tab=stars#top" });
  expect(callback.headers.location).toBe("/repos?tab=stars#top");
});
