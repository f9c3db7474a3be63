process.env.SILVER_TEST_DB = 'postgres';
