process.env.BLOOMDESK_TEST_PROFILE = 'services';
