// Components of the edge area; one file per ComponentResource, each exported here.
export {};
