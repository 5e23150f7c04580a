// Components of the monitoring area; one file per ComponentResource, each exported here.
export {};
