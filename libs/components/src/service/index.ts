// Components of the service area; one file per ComponentResource, each exported here.
export {};
