import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ClaimBody,
  ClaimResult,
  CreateDeploymentRunBody,
  Deployment,
  FlowRun,
  HeartbeatBody,
  HeartbeatResult,
  RegisterDeploymentBody,
} from "../../contract/index.ts";
import type { DeploymentService } from "../deployment-service.ts";

const NameParams = z.object({ name: z.string().min(1).max(200) });

/** Deployments, and the endpoints serving processes use to claim runs and report they are alive. */
export function deploymentsRoute(deployments: DeploymentService): FastifyPluginAsyncZod {
  return async (app) => {
    const tags = ["deployments"];
    app.post(
      "/deployments",
      {
        schema: { tags, summary: "Register a deployment (created or updated by name)", body: RegisterDeploymentBody, response: { 200: Deployment } },
      },
      (req) => deployments.register(req.caller, req.body),
    );
    app.get("/deployments", { schema: { tags, summary: "List deployments", response: { 200: z.array(Deployment) } } }, (req) =>
      deployments.list(req.caller),
    );
    app.get("/deployments/:name", { schema: { tags, summary: "Read a deployment", params: NameParams, response: { 200: Deployment } } }, (req) =>
      deployments.get(req.caller, req.params.name),
    );
    app.post(
      "/deployments/:name/runs",
      {
        schema: {
          tags,
          summary: "Start a run of a deployment",
          description:
            "The parameters are checked against the deployment's schema first: 422 INVALID_PARAMETERS with one error per field, and no run is created.",
          params: NameParams,
          body: CreateDeploymentRunBody.nullish(),
          response: { 201: FlowRun },
        },
      },
      async (req, reply) => reply.status(201).send(await deployments.createRun(req.caller, req.params.name, req.body ?? { parameters: {} })),
    );
    app.post(
      "/workers/claim",
      { schema: { tags: ["workers"], summary: "Claim due runs of the given deployments", body: ClaimBody, response: { 200: ClaimResult } } },
      (req) => deployments.claim(req.caller, req.body),
    );
    app.post(
      "/workers/heartbeat",
      {
        schema: {
          tags: ["workers"],
          summary: "Report the runs a process is running or waiting in",
          body: HeartbeatBody,
          response: { 200: HeartbeatResult },
        },
      },
      async (req) => ({ lost: await deployments.heartbeat(req.caller, req.body.workerId, req.body.flowRunIds) }),
    );
  };
}
