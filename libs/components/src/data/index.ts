// Components of the data area; one file per ComponentResource, each exported here.
export {};
