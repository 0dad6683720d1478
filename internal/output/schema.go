package output

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of the document that json,
// yaml and ndjson print: a ClusterSnapshot, or with several contexts a
// FleetSnapshot (#/$defs/fleetSnapshot); the change records of a stream
// are its #/$defs/change. Tests validate real output against it.
//
//go:embed schema/clustersnapshot-v1.json
var Schema []byte

// SchemaID is the schema's $id.
const SchemaID = "urn:eks-node-viewer:schema:clustersnapshot-v1"
